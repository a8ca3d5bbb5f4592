#!/usr/bin/env python3
"""docs/images/instances-nuclei-2d.png: one validation image of nuclei-2d-dsb with classic:otsu + connected
components, nuclei-2d's instances and the true nuclei (random colours, white outlines). Needs the outputs of
scripts/eval-nuclei-dsb.sh nuclei-2d-dsb-unet (its --out folder) for the fluorescence split.

  python3 scripts/instance_figure.py [EVAL_OUT] [IMAGE_ID]
"""
import os
import sys

import numpy as np
from PIL import Image, ImageDraw
from skimage.filters import threshold_otsu
from skimage.measure import label
from skimage.segmentation import find_boundaries
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
d = os.path.join(sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, 'out', 'eval-nuclei-dsb'), 'fluorescence')
i = sys.argv[2] if len(sys.argv) > 2 else '7b5987a24dd57325e82812371b3f4df7edc528e0526754ba94cf3a1ea4df25d2'
img=np.array(Image.open(d+'/inputs/%s.png'%i).convert('L')).astype(float)
g=np.clip((img-np.percentile(img,1))/(np.percentile(img,99.8)-np.percentile(img,1)),0,1)*255
t=np.array(Image.open(d+'/truth/%s.png'%i)); u=np.array(Image.open(d+'/nuclei-2d-dsb-unet/%s_instances.png'%i))
o=label(img>threshold_otsu(img))
rng=np.random.default_rng(3); pal=rng.integers(60,256,(4096,3)); pal[0]=0
def panel(lab, title):
    rgb=np.repeat(g[...,None],3,-1)
    if lab is not None:
        col=pal[lab % 4096]
        rgb=np.where(lab[...,None]>0, 0.35*rgb+0.65*col, rgb)
        rgb[find_boundaries(lab, mode='inner')]=255
    im=Image.fromarray(rgb.astype(np.uint8)).resize((384,384), Image.NEAREST)
    c=Image.new('RGB',(384,402),(255,255,255)); c.paste(im,(0,18)); ImageDraw.Draw(c).text((4,3),title,fill=(0,0,0)); return c
ps=[panel(None,'image (validation)'), panel(o,'classic:otsu + components: %d objects'%o.max()),
    panel(u,'nuclei-2d --instances: %d objects'%(len(np.unique(u))-1)), panel(t,'truth: %d nuclei'%(len(np.unique(t))-1))]
sheet=Image.new('RGB',(4*388,402),(255,255,255))
for k,p in enumerate(ps): sheet.paste(p,(k*388,0))
sheet.save(os.path.join(root, 'docs', 'images', 'instances-nuclei-2d.png'), optimize=True)
