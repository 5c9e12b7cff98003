"""Keras code: backbone catalog, weight resolution, feature maps, Grad-CAM, filters.

Nothing in this package imports from `dashboard` or `pages`; the arrows point down only.
"""
