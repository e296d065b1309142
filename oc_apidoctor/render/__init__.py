"""Turn a Report into output: human (rich) or JSON. Pure functions of the report."""
