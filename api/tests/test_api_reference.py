def _names(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return {row["name"] for row in response.json()["results"]}


def test_stations_are_limited_to_the_users_scope(world, client_for):
    assert _names(client_for("station_staff"), "/api/stations/") == {world.railway_point.name}
    assert _names(client_for("deputy_b_user"), "/api/stations/") == {world.xiushan_station.name}
    assert _names(client_for("township_staff"), "/api/stations/") == {world.railway_point.name}
    assert _names(client_for("admin"), "/api/stations/") == {world.railway_point.name, world.xiushan_station.name}


def test_a_station_carries_its_qr_token_for_kiosks(world, client_for):
    row = client_for("station_staff").get("/api/stations/").json()["results"][0]
    assert row["station_token"] == world.railway_point.qr_token
    assert row["region"] == world.chaomian.name


def test_deputies_are_those_serving_the_stations_in_scope(world, client_for):
    assert _names(client_for("station_staff"), "/api/deputies/") == {world.deputy_a.name}
    assert _names(client_for("deputy_b_user"), "/api/deputies/") == {world.deputy_b.name}
    assert _names(client_for("admin"), "/api/deputies/") == {world.deputy_a.name, world.deputy_b.name}


def test_departments_and_categories_are_listed_for_staff(world, client_for):
    client = client_for("station_staff")
    assert _names(client, "/api/departments/") == {world.department.name}
    assert _names(client, "/api/categories/") == {world.category.name}
