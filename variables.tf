# The module's inputs (name, tags, create_* switches, every tunable with its validation) arrive
# with its AWS resources in issue #3. Today the module only exposes the runtime's contract.
