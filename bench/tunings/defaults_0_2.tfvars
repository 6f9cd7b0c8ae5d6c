# The module's 0.2.0 defaults: the hold message as one prompt (one sentence: a comma, not
# a full stop), then a check call that polls for its whole 1 s budget on every loop.
check_poll_when = "always"
messages = {
  hold = "Thanks for waiting, we are still working on your request."
}
