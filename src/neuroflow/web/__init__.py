"""`neuroflow serve`: a local page to draw or drop an input, see what the model sees and says, and
train with a live loss curve. `create_app` builds the FastAPI app; the page lives in `static/`."""
