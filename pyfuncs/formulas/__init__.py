"""The formula engine: parser, Excel values and coercion, evaluator, built-ins by category."""
