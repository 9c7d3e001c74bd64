"""Lock files: a resolved stack written as pylock.toml, Pipfile.lock or requirements.txt, and read back."""
