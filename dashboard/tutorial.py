"""The tutorial this app comes from, told where each idea is shown.

The app retells a Korean tutorial on transfer learning (DACON, "전이학습(Transfer Learning)이란?"):
its four figures are four ideas, and each has a page part that demonstrates it. This table
holds each figure's note, in our own words, with the papers it rests on; `pages/widgets/
tutorial_note.py` draws a note beside the part that shows it, and a test checks that every
figure appears on its page in both languages.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.words import N_


@dataclass(frozen=True)
class Reference:
    title: str
    url: str


@dataclass(frozen=True)
class Figure:
    number: int
    title: str  # marked for the catalog: translated where it is shown
    text: str  # markdown, marked likewise
    shown_on: str  # the page part beside which it is drawn
    references: tuple[Reference, ...] = ()


RUSSAKOVSKY = Reference(
    "Russakovsky et al. 2015, ImageNet Large Scale Visual Recognition Challenge (IJCV)",
    "https://arxiv.org/abs/1409.0575",
)
HE = Reference(
    "He, Girshick & Dollár 2018, Rethinking ImageNet Pre-training (ICCV 2019)",
    "https://arxiv.org/abs/1811.08883",
)
YOSINSKI = Reference(
    "Yosinski et al. 2014, How transferable are features in deep neural networks? (NeurIPS)",
    "https://arxiv.org/abs/1411.1792",
)
ZEILER = Reference(
    "Zeiler & Fergus 2014, Visualizing and Understanding Convolutional Networks (ECCV)",
    "https://arxiv.org/abs/1311.2901",
)

FIGURES = {
    1: Figure(
        1,
        N_("Low-level and high-level features"),
        N_(
            "A network trained on ImageNet learns simple things in its first layers (colours, "
            "edges and their directions) and, deeper, patterns and object parts (repeated "
            "circles, a bird's beak). The early features suit almost any photo, which is why a "
            "pretrained network transfers. Read the strip from left to right: the first stages "
            "still look like the photo, the last ones only say where the parts are."
        ),
        "explore: feature maps and filters",
        (ZEILER, YOSINSKI),
    ),
    2: Figure(
        2,
        N_("ImageNet and the ILSVRC"),
        N_(
            "ImageNet's challenge (ILSVRC, 2010–2017) asked for one of 1,000 classes on 1.2 "
            "million training photos (the whole ImageNet holds 14 million). The winners' top-5 "
            "error fell from 28% to about 2%; since 2015 the best networks pass the 5.1% that "
            "Russakovsky et al. measured for a trained person. The networks that won (AlexNet, "
            "VGG, GoogLeNet, ResNet) are the bases most transfer learning starts from."
        ),
        "explore: architecture (the catalog and the ILSVRC winners)",
        (RUSSAKOVSKY,),
    ),
    3: Figure(
        3,
        N_("What to train: dataset size × similarity to ImageNet"),
        N_(
            "How much of the network to train depends on two things: how many images you have "
            "and how much they look like ImageNet's. **Small and similar:** keep the pretrained "
            "base as it is and train a new fully connected layer on top. **Large and similar:** "
            "train several fully connected layers on top. **Large and different:** train more "
            "of the network's own layers as well. **Small and different:** pretraining may help "
            "little; grow the data with augmentation and train the whole network. The advisor "
            "measures both axes on your dataset instead of guessing them."
        ),
        "train: the advisor's chart",
    ),
    4: Figure(
        4,
        N_("Pretrained or from scratch: He et al. 2018"),
        N_(
            "Does pretraining help, or could the same network simply be trained from random "
            "weights? He et al. (2018) trained both under the same conditions: from scratch "
            "catches up in the end, but takes 2–3× as long, while pretrained weights reach high "
            "accuracy much sooner. Compare puts your own pretrained and scratch runs side by "
            "side, epoch by epoch, to see the same thing on your data."
        ),
        "compare: pretrained against scratch",
        (HE,),
    ),
}

# The ILSVRC classification winners, top-5 error in % (Russakovsky et al. 2015 and the
# challenge's result pages): the tutorial's figure 2, as data.
ILSVRC_WINNERS = (
    (2010, "NEC-UIUC", 28.2),
    (2011, "XRCE", 25.8),
    (2012, "AlexNet", 16.4),
    (2013, "ZFNet (Clarifai)", 11.7),
    (2014, "GoogLeNet", 6.7),
    (2015, "ResNet", 3.57),
    (2016, "Trimps-Soushen", 2.99),
    (2017, "SENet", 2.25),
)
