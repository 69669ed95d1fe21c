"""Exchange with other tools: REFI-QDA (.qdpx/.qdc) and graph formats."""
