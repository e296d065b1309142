"""Reading the shop's files: config.php parser, version, paths."""
