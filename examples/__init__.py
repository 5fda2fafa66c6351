"""Example scenarios, shipped inside the package as `callcenter.examples`."""
