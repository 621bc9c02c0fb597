def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b"csrf_token" in response.data


def test_admin_signs_in_and_sees_dashboard(client, login_as):
    admin = login_as("admin")
    response = client.get("/")
    assert response.status_code == 200
    assert admin.full_name in response.get_data(as_text=True)
