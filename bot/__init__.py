"""Settings, command line, channel adapters and app assembly."""
