"""What the project's own code uses: imported modules and fully qualified symbols."""
