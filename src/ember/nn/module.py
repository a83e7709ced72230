"""Work in progress."""
class Module:
    pass
