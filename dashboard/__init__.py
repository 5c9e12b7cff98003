"""The app's services, one subpackage per feature (datasets, training, advisor, compare,
explore) over a few shared modules (settings, images, backbones, significance, storage).
Only `dashboard.glue` imports streamlit; the rest is plain Python. See docs/architecture.md."""
