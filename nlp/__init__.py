"""Chinese text processing and classifiers; pure logic, no I/O beyond model files."""
