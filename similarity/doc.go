// Package similarity holds the matching algorithms of listingscan: how
// listing images and texts are reduced to fingerprints, how fingerprints
// become candidate keys, and how a candidate pair is verified.
//
// The package is pure. It does no I/O, keeps no package-level mutable
// state, and gives the same result for the same input on every run and
// machine: the keys it makes are stored by both storage backends, which
// must find the same candidates for the same listings.
//
// # Candidates without all pairs
//
// Comparing every listing with every other is quadratic in the catalogue
// and not an option. Instead every listing gets a fixed, small number of
// string keys per field, and two listings are compared only when they share
// a key:
//
//   - a title gets TitleLSH().Bands keys (48) and a description
//     DescriptionLSH().Bands keys (70): MinHash signatures of their
//     shingles, cut into locality-sensitive bands;
//   - an image gets a few keys per perceptual hash (ImagePrint.StoreKeys):
//     the hash cut into chunks for multi-index hashing.
//
// Making a listing's keys is linear in its text and image sizes; a store
// finds its candidates with one exact lookup per key, so the work per
// listing does not grow with the catalogue except through the candidates
// actually found. The key parameters are chosen so that a copy becomes a
// candidate with probability at least 0.995 while unrelated listings rarely
// do (see TitleLSH and DescriptionLSH for the numbers).
//
// Verification is exact and touches candidates only: Hamming distance for
// image hashes, LevenshteinRatio for titles, weighted Containment for
// descriptions, with MatchedSpans as the evidence a reviewer reads.
//
// # Text
//
// Copiers disguise text. Normalizer undoes the disguises — zero-width
// characters, full-width forms, look-alike letters, compatibility
// ideographs and radicals, traditional characters, inserted spaces and
// punctuation — before anything is compared. Shingles are taken sentence by
// sentence so that reordered sentences match, and the marketplace's stock
// wording is removed (Boilerplate) or weighted down by how many providers
// use it (Weights), so that what honest listings share never makes them
// look copied.
package similarity
