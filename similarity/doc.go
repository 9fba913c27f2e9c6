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
// and not an option. Two listings are compared only when their texts share
// a key or their images are near in Hamming space:
//
//   - a title gets TitleLSH().Bands keys (48) and a description
//     DescriptionLSH().Bands keys (70): MinHash signatures of their
//     shingles, cut into locality-sensitive bands. A store finds the
//     listings sharing a key with one exact lookup per key. The parameters
//     make a copy a candidate with probability at least 0.995 while
//     unrelated listings rarely are (see TitleLSH and DescriptionLSH);
//   - an image's variant hashes go, as a Sketch, into an ImageIndex held in
//     memory: a multi-index over every stored variant's pHash and dHash
//     (HashIndex) that finds every hash within ImageIndexRadius bits. Copies
//     may sit 8 bits away, and a key lookup in a store would have to ask
//     for thousands of neighbouring keys per hash; in memory a query visits
//     a few thousand buckets of about one hash each.
//
// Making a listing's keys and sketch is linear in its text and image
// sizes, and neither lookup grows with the catalogue except through the
// candidates actually found, so a scan is linear in the catalogue.
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
