"""promtool unit tests for the generated rules: a pure function of the model."""
