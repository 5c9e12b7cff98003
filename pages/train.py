"""Train: fine-tune a backbone on your own dataset (coming with the Train issue)."""

import streamlit as st


def train_page() -> None:
    st.title("Train a classifier")
    st.info(
        "Coming next: upload a dataset (a zip of class folders, a folder, or images per class), "
        "pick a backbone and a strategy (linear head, MLP head, fine-tune top blocks, full "
        "fine-tune with augmentation, or from scratch) and train it with live curves. "
        "Until then, the **Explore** page shows what the pretrained backbones already know."
    )
    st.page_link("pages/explore.py", label="Go to Explore", icon=":material/visibility:")


train_page()
