# The private-cloud variant of dev on OpenStack: network, nodes for a
# self-managed Kubernetes cluster, and Cinder volumes for cairn's drives.
# Kubernetes itself and the Helm releases are installed on top of it the
# same way as on EKS (docs/deploy.md).

locals {
  name = "microservices-${var.environment}-private"
}

module "network" {
  source = "../../../modules/openstack-network"

  name                  = local.name
  cidr                  = var.network_cidr
  external_network_name = var.external_network_name
  admin_cidrs           = var.admin_cidrs
}

module "compute" {
  source = "../../../modules/openstack-compute"

  name                  = local.name
  node_count            = var.node_count
  flavor_name           = var.node_flavor
  public_key            = var.ssh_public_key
  network_id            = module.network.network_id
  security_group_id     = module.network.security_group_id
  external_network_name = module.network.external_network_name
}

module "storage" {
  source = "../../../modules/openstack-storage"

  name            = local.name
  instance_ids    = module.compute.instance_ids
  drives_per_node = var.drives_per_node
  volume_size_gb  = var.drive_size_gb
}
