# Push mode: the caller hears the answer the moment the work is done, the hold message never
# stopping meanwhile. The inbound flow invokes check asynchronously (Connect's asynchronous
# Lambda, up to 60 s) and waits on it with a Wait whose Continue branch plays the hold message;
# check returns as soon as the run ends or its progress changes, and that interrupts the hold.
# Chat and the flow module keep polling. Confirm it on your instance before go-live
# (make flight-check, the live suite): it rests on Connect behaviour flows/README.md lists.
#   make demo TFVARS=examples/push.tfvars
#   make compare TFVARS="examples/push.tfvars"
wait_mode = "push"

# One round: the asynchronous check's time limit; it holds for this less 1 s. Each waiting
# caller holds one running check function throughout (size reserved_concurrency.check for the
# callers who wait at once).
push_wait_seconds = 20

# How often the holding check reads the tracker: the answer is heard within this of the work's
# end. Each read is one strongly consistent read unit (about 7 a second per waiting caller).
# 150 ms keeps both push targets of docs/performance.md: 100 ms answers sooner but its reads take
# the waiting's cost over 1% of the call's Connect minutes; 200 ms puts the p50 over 150 ms.
check_poll_interval_ms = 150

# A holding check only waits on DynamoDB reads: the smallest memory halves its GB-seconds (push
# holds a check for the whole wait, so they are most of push's Lambda cost).
memory_size = { check = 128 }
