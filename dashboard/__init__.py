"""The app's services. Only `dashboard.ui_cache` imports streamlit; the rest is plain Python."""
