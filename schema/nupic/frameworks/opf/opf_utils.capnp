# NuPIC's OPF inference types.  Wire-compatible with NuPIC's
# opf_utils.capnp.
@0xd57f978f3e5edfcf;

enum InferenceType {
  temporalNextStep @0;
  temporalClassification @1;
  nontemporalClassification @2;
  temporalAnomaly @3;
  nontemporalAnomaly @4;
  temporalMultiStep @5;
  nontemporalMultiStep @6;
}
