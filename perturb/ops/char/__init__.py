"""Character-noise ops: typos, marks, look-alikes and rendering tricks, each cluster-safe in every script."""
