//! Integration tests, as one binary: determinism, analytic oracles, every shipped
//! model, the command line and bad input.

mod it;
