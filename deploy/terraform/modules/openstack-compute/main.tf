# Nodes of the private-cloud Kubernetes cluster, spread over hypervisors by
# an anti-affinity server group (as cairn's pods are spread over nodes).

resource "openstack_compute_keypair_v2" "this" {
  name       = var.name
  public_key = var.public_key
}

resource "openstack_compute_servergroup_v2" "spread" {
  name     = "${var.name}-spread"
  policies = ["soft-anti-affinity"]
}

resource "openstack_networking_port_v2" "node" {
  count              = var.node_count
  name               = "${var.name}-${count.index}"
  network_id         = var.network_id
  security_group_ids = [var.security_group_id]
  admin_state_up     = true
}

resource "openstack_compute_instance_v2" "node" {
  count       = var.node_count
  name        = "${var.name}-${count.index}"
  flavor_name = var.flavor_name
  image_name  = var.image_name
  key_pair    = openstack_compute_keypair_v2.this.name

  network {
    port = openstack_networking_port_v2.node[count.index].id
  }

  scheduler_hints {
    group = openstack_compute_servergroup_v2.spread.id
  }

  metadata = {
    role = "kubernetes-node"
  }
}

resource "openstack_networking_floatingip_v2" "api" {
  pool = var.external_network_name
}

resource "openstack_networking_floatingip_associate_v2" "api" {
  floating_ip = openstack_networking_floatingip_v2.api.address
  port_id     = openstack_networking_port_v2.node[0].id
}
