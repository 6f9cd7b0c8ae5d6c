"""A money transfer at a third-party bank, run by the worker while the caller waits."""
