"""Pictures: image folders, decoding and their cache, IDX files, preparing a user's own pictures
(the digit finder among them) and augmentation."""
