"""The recommendation pipeline: units that filter, score and explain, and the search that runs them."""
