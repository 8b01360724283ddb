# Credentials come from the usual OS_* environment variables (or a
# clouds.yaml entry named by OS_CLOUD).
provider "openstack" {
  region = var.openstack_region
}
