# Lost runs reconciled: when a worker dies mid-task (out of memory after the transfer went to the
# bank), the caller hears the fallback within one lease, Lambda's retries send the event to the
# dead-letter queue, and the reconciler calls your reconcile function once to ask the third party
# what happened; its answer is recorded on the run's record beside the failure.
# Play it before applying:  make demo SCENARIO=crash

reconciler = {
  # Your function, in your task's layer; the demo task's says there is nothing to undo.
  handler = "connect_async.tasks.demo:reconcile"
  # Tried this often (a retry-later answer or an exception each time) before the message moves
  # to the unreconciled queue and its alarm fires.
  max_receive_count = 5
}
