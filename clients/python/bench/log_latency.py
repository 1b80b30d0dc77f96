"""Times PredictionLogger.log() for `npm run bench -- capture`: prints one JSON object.

usage: python log_latency.py URL N RATE_PER_S
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from driftwatch_client import PredictionLogger  # noqa: E402


def event(i):
    features = {f"num_{f}": ((i * 7919 + f * 104729) % 1000) / 10 for f in range(16)}
    features.update(country=["DE", "FR", "US", "JP"][i % 4], channel="web" if i % 3 == 0 else "app", is_returning=i % 2 == 0, basket_items=i % 17)
    return {"model": "m", "id": f"py-{i}", "features": features, "score": (i % 1000) / 1000}


def main():
    url, n, rate = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    logger = PredictionLogger(url)
    times = []
    start = time.perf_counter()
    for i in range(n):
        e = event(i)
        t0 = time.perf_counter_ns()
        logger.log(e)
        times.append(time.perf_counter_ns() - t0)
        if i % 50 == 49:
            ahead = start + (i + 1) / rate - time.perf_counter()
            if ahead > 0:
                time.sleep(ahead)
    times.sort()

    def q(p):
        return times[min(len(times) - 1, max(0, -(-int(p * len(times) * 1000) // 1000) - 1))] / 1000

    stats = logger.stats()
    logger.close(timeout=0)
    print(json.dumps({"n": n, "p50": q(0.5), "p99": q(0.99), "p999": q(0.999), "max": times[-1] / 1000, "dropped": sum(stats["dropped"].values()), "python": sys.version.split()[0]}))


if __name__ == "__main__":
    main()
