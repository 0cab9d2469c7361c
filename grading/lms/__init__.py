"""Stage 5 of the pipeline for the LMS: final grades per student, late policy, exports."""
