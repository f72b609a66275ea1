/* The demo's rule (make run): the marker planted in demo/samples/dropper.bin.
 * Its family meta names the family the malware engine files it under. */
rule demo_dropper {
    meta:
        family = "demo-dropper"
        description = "hayate demo marker"
    strings:
        $m = "HAYATE-DEMO-DROPPER"
    condition:
        $m
}
