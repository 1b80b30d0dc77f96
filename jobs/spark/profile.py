"""spark-submit jobs/spark/profile.py --store S [--model M ...] [--input PATH ...] [--master local[2]]

The driftwatch profile on Spark (driftwatch_spark/profile_job.py): raw predictions → the hourly
summaries, rollups and profile-state of the store, as `driftwatch profile` writes them. Exit codes:
0 ok, 2 bad arguments, 1 failure (one clear line on stderr).

This file's name is also the standard library's `profile` (which pyspark imports through cProfile).
Run as a script, it moves its own directory behind the standard library on sys.path; imported as
`profile` (its directory put ahead of the standard library by someone else), it stands aside and
gives the importer the standard library's module.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

if __name__ == "__main__":
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != HERE] + [HERE]
    from driftwatch_spark.profile_job import main

    sys.exit(main(sys.argv[1:]))
else:
    import importlib.util
    import sysconfig

    _spec = importlib.util.spec_from_file_location("profile", os.path.join(sysconfig.get_paths()["stdlib"], "profile.py"))
    _module = importlib.util.module_from_spec(_spec)
    sys.modules["profile"] = _module
    _spec.loader.exec_module(_module)
