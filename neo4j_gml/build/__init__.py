"""Building the Java parts with Maven: where the plugin sources are, and the plugin jar."""
