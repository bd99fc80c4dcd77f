"""Modal screens: the message inspector and the help screen."""
