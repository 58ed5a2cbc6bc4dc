"""What is read from a run's checkpoint after the fact: the size of the generator's updates under different
rewards, Adam's epsilon at small rewards, the discriminator's highway layer, whether D's score follows the
oracle's likelihood, and a run's state at its stages. Each writes a small report; none changes a run."""
