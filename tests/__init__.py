"""The tests of pmipviz, one package per layer of the code (see the README, Testing)."""
