"""What the graph says taken together: statistics and conflicts between sources."""
