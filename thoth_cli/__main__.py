"""Entry point for `python -m thoth_cli`."""

from __future__ import annotations

from thoth_cli.cli.main import main

if __name__ == "__main__":
    main()
