"""What thoth knows beyond the index: security advisories and prescriptions."""
