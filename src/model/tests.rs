//! Unit tests of the model as a whole.
