environment           = "dev"
openstack_region      = "RegionOne"
network_cidr          = "10.100.0.0/24"
external_network_name = "public"
admin_cidrs           = ["198.51.100.0/24"]
node_count            = 3
node_flavor           = "m1.large"
# Replace with the operators' key.
ssh_public_key  = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPlaceholderReplaceWithTheOperatorsKey operators@platform"
drives_per_node = 1
drive_size_gb   = 10
