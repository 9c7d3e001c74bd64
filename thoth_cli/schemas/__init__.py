"""JSON Schemas of thoth's versioned JSON outputs, shipped for scripts to validate against."""
