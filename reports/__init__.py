"""Weekly report and department digest builders (code and templates, never output)."""
