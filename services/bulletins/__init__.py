"""Bulletins (/bantin): news a committee posts to its subtree, and items from the RSS/Atom
feeds an admin configured per unit; listed for members, pushed only when a committee asks."""
