"""The program's entry point: the Python language host runs this file."""
import shippers  # noqa: F401  (declaring the resources is the import's effect)
