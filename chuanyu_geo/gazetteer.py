"""placeholder"""
class Place: pass
def crosswalk(): pass
def resolve(q): pass
