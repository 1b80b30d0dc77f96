"""A FastAPI prediction service that logs every prediction to driftwatch.

    pip install fastapi uvicorn
    DRIFTWATCH_URL=http://127.0.0.1:4318 uvicorn fastapi_service:app --port 8000
    curl -s localhost:8000/predict -H 'content-type: application/json' \
         -d '{"id": "ord-1", "features": {"amount": 12.5, "country": "DE"}}'

The logger is created at start-up and closed at shutdown (which sends what is still queued, for at
most close_timeout seconds). logger.log() never raises and never blocks the request.
"""

import math
import os
import sys
from contextlib import asynccontextmanager
from typing import Any, Dict

from fastapi import FastAPI
from pydantic import BaseModel

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from driftwatch_client import PredictionLogger  # noqa: E402

MODEL = "checkout-fraud"
MODEL_VERSION = "3"
logger: PredictionLogger


@asynccontextmanager
async def lifespan(_app: FastAPI):
    global logger
    logger = PredictionLogger(os.environ.get("DRIFTWATCH_URL", "http://127.0.0.1:4318"))
    yield
    logger.close()


app = FastAPI(lifespan=lifespan)


class PredictRequest(BaseModel):
    id: str
    features: Dict[str, Any]


def score(features: Dict[str, Any]) -> float:
    amount = features.get("amount")
    z = (amount if isinstance(amount, (int, float)) else 0.0) / 100 - 2
    return 1 / (1 + math.exp(-z))


@app.post("/predict")
def predict(request: PredictRequest) -> Dict[str, Any]:
    s = score(request.features)
    logger.log({"model": MODEL, "model_version": MODEL_VERSION, "id": request.id, "features": request.features, "score": s})
    return {"id": request.id, "score": s}


@app.get("/healthz")
def healthz() -> Dict[str, Any]:
    # The logger's counters, for a dashboard or an alert on drops.
    return {"status": "ok", "prediction_logger": logger.stats()}
