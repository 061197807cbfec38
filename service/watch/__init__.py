"""`tagger watch`: poll news feeds, tag new items into an archive, raise alerts (see docs/watch.md)."""
