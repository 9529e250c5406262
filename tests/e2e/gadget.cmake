# Linux gadget port (port/ffs, apps/dfu-gadget): dfu-gadget serves the DFU function
# through configfs + FunctionFS inside the guest, with dummy_hcd as its device
# controller, and the guest's own dfu-util/lsusb are the host. The guest needs the
# gadget modules, so it is a second cached guest (build-guest.sh keys guests by
# module set); building it is its own fixture like e2e.build-guest. The port and
# the app are parts of every host build (the top-level CMakeLists.txt).
set(E2E_GADGET_MODULES "libcomposite usb_f_fs dummy_hcd")
add_test(NAME e2e.build-guest-gadget COMMAND ${E2E_DIR}/build-guest.sh)
set_tests_properties(e2e.build-guest-gadget PROPERTIES
  LABELS e2e TIMEOUT 900 FIXTURES_SETUP dfukit_e2e_gadget_guest
  RESOURCE_LOCK dfukit_guest_build
  ENVIRONMENT "DFUKIT_E2E_MODULES=${E2E_GADGET_MODULES}")
add_test(NAME e2e.gadget
  COMMAND ${E2E_DIR}/run-guest.sh --timeout 150 ${E2E_DIR}/scenarios/gadget.sh
    $<TARGET_FILE:dfu-gadget> ${PROJECT_SOURCE_DIR}/port/ffs/dfu-gadget-setup.sh)
set_tests_properties(e2e.gadget PROPERTIES
  LABELS e2e TIMEOUT 300
  FIXTURES_REQUIRED "dfukit_e2e_guest;dfukit_e2e_gadget_guest"
  ENVIRONMENT "DFUKIT_E2E_MODULES=${E2E_GADGET_MODULES}"
  FAIL_REGULAR_EXPRESSION "DFUKIT-FAIL:")
